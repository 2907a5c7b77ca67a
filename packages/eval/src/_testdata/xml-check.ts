// A strict little XML well-formedness checker for the chart tests (no XML parser is installed).

export interface XmlSummary {
  root: string;
  /** Element name to count. */
  elements: Map<string, number>;
  /** Values of the `class` attribute to count. */
  classes: Map<string, number>;
  /** Attributes of the root element. */
  rootAttributes: Record<string, string>;
  /** Attributes of every element with a `class`, by class, in document order (to check geometry against data). */
  byClass: Map<string, Record<string, string>[]>;
}

const NAME = "[A-Za-z_][\\w.:-]*";
const ATTR = new RegExp(`\\s+(${NAME})="([^"<&]*(?:&(?:amp|lt|gt|quot|apos|#\\d+);[^"<&]*)*)"`, "gy");

/** Parses `xml`, throwing on any well-formedness error: bad tags, bad attributes, stray `&` or `<`, unclosed elements. */
export function checkXml(xml: string): XmlSummary {
  let i = 0;
  const stack: string[] = [];
  const elements = new Map<string, number>();
  const classes = new Map<string, number>();
  const byClass = new Map<string, Record<string, string>[]>();
  let root = "";
  let rootAttributes: Record<string, string> = {};
  const fail = (why: string): never => {
    throw new Error(`not well-formed at ${i}: ${why}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end < 0) fail("unclosed declaration");
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt < 0 ? xml.length : lt;
    const txt = xml.slice(i, textEnd);
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(txt)) fail("stray &");
    if (stack.length === 0 && txt.trim() !== "") fail("text outside the root");
    i = textEnd;
    if (lt < 0) break;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i);
      if (end < 0) fail("unclosed comment");
      i = end + 3;
      continue;
    }
    if (xml.startsWith("</", i)) {
      const m = new RegExp(`</(${NAME})\\s*>`, "y");
      m.lastIndex = i;
      const r = m.exec(xml);
      if (r === null) fail("bad closing tag");
      if (stack.pop() !== r![1]) fail(`mismatched </${r![1]}>`);
      i = m.lastIndex;
      continue;
    }
    const open = new RegExp(`<(${NAME})`, "y");
    open.lastIndex = i;
    const o = open.exec(xml);
    if (o === null) fail("bad tag");
    const name = o![1] as string;
    if (stack.length === 0 && root !== "") fail("second root element");
    i = open.lastIndex;
    const attrs: Record<string, string> = {};
    for (;;) {
      ATTR.lastIndex = i;
      const a = ATTR.exec(xml);
      if (a === null) break;
      if ((a[1] as string) in attrs) fail(`duplicate attribute ${a[1]}`);
      attrs[a[1] as string] = a[2] as string;
      i = ATTR.lastIndex;
    }
    const close = /\s*(\/?)>/y;
    close.lastIndex = i;
    const c = close.exec(xml);
    if (c === null) fail(`bad attributes in <${name}>`);
    i = close.lastIndex;
    if (root === "") {
      root = name;
      rootAttributes = attrs;
    }
    elements.set(name, (elements.get(name) ?? 0) + 1);
    if (attrs.class !== undefined) {
      classes.set(attrs.class, (classes.get(attrs.class) ?? 0) + 1);
      byClass.set(attrs.class, [...(byClass.get(attrs.class) ?? []), attrs]);
    }
    if (c![1] !== "/") stack.push(name);
  }
  if (stack.length > 0) fail(`unclosed <${stack.join("><")}>`);
  if (root === "") fail("no root element");
  return { root, elements, classes, rootAttributes, byClass };
}
