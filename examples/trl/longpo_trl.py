"""LongPO with TRL's DPOTrainer, on the pairs that @longpo/prefgen's exportTrl writes (see docs/scale-out.md).

Written against TRL 1.9.0 (transformers >= 4.56.2, accelerate >= 1.4). Untested in this repository: its
machines have no GPU. Run on each node, e.g. 8 GPUs with DeepSpeed ZeRO-3:
  accelerate launch --num_processes 8 --use_deepspeed --zero_stage 3 examples/trl/longpo_trl.py \
    --model ./models/Mistral-7B-Instruct-v0.2 --data out/trl.jsonl --rope-theta 1e7 --out runs/longpo-7b
"""

import argparse

import torch
from datasets import load_dataset
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer


class LongPOTrainer(DPOTrainer):
    """Keeps the dataset's ref_*_logps: the short model on the short chunk (LongPO's reference), not the policy
    on the long prompt, which is what TRL would compute with precompute_ref_log_probs=True."""

    def _precompute_ref_logps(self, dataset, name, batch_size):
        missing = {"ref_chosen_logps", "ref_rejected_logps"} - set(dataset.column_names)
        if missing:
            raise ValueError(f"the {name} data must carry {sorted(missing)}: run prefgen's scoring stage first")
        return dataset


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="the short-context model π_S (the policy starts from it)")
    p.add_argument("--data", required=True, help="exportTrl's JSONL (prompt, chosen, rejected, ref_*_logps)")
    p.add_argument("--out", required=True)
    p.add_argument("--rope-theta", type=float, required=True, help="the policy's RoPE θ (paper: 1e6 → 1e7)")
    p.add_argument("--max-position-embeddings", type=int, default=131072)
    p.add_argument("--beta", type=float, default=0.1, help="β (paper text 0.1; released scripts 0.01)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.01, help="λ, weight of the preference term")
    p.add_argument("--lr", type=float, default=5e-7)
    p.add_argument("--grad-accum", type=int, default=1, help="effective batch 8 = GPUs × this")
    a = p.parse_args()

    config = AutoConfig.from_pretrained(a.model)
    if getattr(config, "rope_parameters", None):  # transformers >= 5
        config.rope_parameters["rope_theta"] = a.rope_theta
    else:
        config.rope_theta = a.rope_theta
    config.max_position_embeddings = max(config.max_position_embeddings, a.max_position_embeddings)
    model = AutoModelForCausalLM.from_pretrained(
        a.model, config=config, torch_dtype=torch.bfloat16, attn_implementation="flash_attention_2"
    )
    args = DPOConfig(
        output_dir=a.out,
        beta=a.beta,
        loss_type=["sigmoid", "sft"],
        loss_weights=[a.lam, 1.0],  # λ·mean(−logσ(βΔ)) + NLL: LongPO's loss itself, so no rescaling
        precompute_ref_log_probs=True,  # no reference model in memory; LongPOTrainer keeps our columns
        max_length=None,  # never truncate: the answers sit at the end of 128K-token prompts
        learning_rate=a.lr,
        lr_scheduler_type="cosine",
        warmup_ratio=0.1,
        weight_decay=0.0,
        num_train_epochs=1,
        per_device_train_batch_size=1,
        gradient_accumulation_steps=a.grad_accum,
        max_grad_norm=1.0,
        gradient_checkpointing=True,
        bf16=True,
        logging_steps=1,
        report_to="none",
    )
    data = load_dataset("json", data_files=a.data, split="train")
    trainer = LongPOTrainer(
        model=model, args=args, train_dataset=data, processing_class=AutoTokenizer.from_pretrained(a.model)
    )
    trainer.train()
    trainer.save_model(a.out)


if __name__ == "__main__":
    main()
