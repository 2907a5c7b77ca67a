import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { preferenceLoss, rewardMetrics } from "@longpo/loss";

tf.enableProdMode(); // quiet: no "install tfjs-node" banner from the cpu backend
const out = preferenceLoss({
  policyChosenLogps: tf.tensor1d([-10, -7]), policyRejectedLogps: tf.tensor1d([-12, -6]),
  refChosenLogps: tf.tensor1d([-11, -7]), refRejectedLogps: tf.tensor1d([-11, -7]),
}, { type: "sigmoid", beta: 0.5 }); // DPO; every other type by name, see the table below
console.log(out.losses.arraySync(), rewardMetrics(out));
