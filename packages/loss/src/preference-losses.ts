// The table of preference losses, keyed by TRL's `loss_type` names: a new loss is one file and one line here.
import { aot } from "./losses/aot.ts";
import { aotUnpaired } from "./losses/aot-unpaired.ts";
import { apoDown } from "./losses/apo-down.ts";
import { apoZero } from "./losses/apo-zero.ts";
import { bcoPair } from "./losses/bco-pair.ts";
import { cpo } from "./losses/cpo.ts";
import { discopop } from "./losses/discopop.ts";
import { exoPair } from "./losses/exo-pair.ts";
import { hinge } from "./losses/hinge.ts";
import { ipo } from "./losses/ipo.ts";
import { ncaPair } from "./losses/nca-pair.ts";
import { orpo } from "./losses/orpo.ts";
import { robust } from "./losses/robust.ts";
import { sigmoid } from "./losses/sigmoid.ts";
import { sigmoidNorm } from "./losses/sigmoid-norm.ts";
import { simpo } from "./losses/simpo.ts";
import { sppoHard } from "./losses/sppo-hard.ts";
import type { PreferenceLossDefinition } from "./preference-loss-definition.ts";

/** Every preference loss by name. Reference-free: `cpo`, `simpo`, `orpo`; the rest need reference log-probs. */
export const preferenceLosses = {
  sigmoid,
  robust,
  hinge,
  ipo,
  exo_pair: exoPair,
  nca_pair: ncaPair,
  bco_pair: bcoPair,
  sppo_hard: sppoHard,
  aot,
  aot_unpaired: aotUnpaired,
  apo_zero: apoZero,
  apo_down: apoDown,
  discopop,
  sigmoid_norm: sigmoidNorm,
  cpo,
  simpo,
  orpo,
} as const satisfies Record<string, PreferenceLossDefinition>;

/** A key of {@link preferenceLosses}: TRL's `loss_type` names, plus `cpo`, `simpo` and `orpo`. */
export type PreferenceLossType = keyof typeof preferenceLosses;
