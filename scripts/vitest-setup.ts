// vitest setup for every test file: tfjs's console hints off, as `selectBackend` does for programs (`quietTfjs`).
// tfjs-core 4.22's PROD flag gates only its `log.warn`/`log.log`; the cpu backend prints through them, on first use
// under Node, a banner asking to install tfjs-node.
import * as tf from "@tensorflow/tfjs-core";

tf.env().set("PROD", true);
