# goodhart_callback.py: every TRL log row becomes one goodhart step record (docs/schema.md).
#   trainer = GRPOTrainer(..., callbacks=[GoodhartCallback("goodhart.jsonl")])
import json
import time

from transformers import TrainerCallback


class GoodhartCallback(TrainerCallback):
    def __init__(self, path="goodhart.jsonl"):
        self.path = path

    def on_log(self, args, state, control, logs=None, **kwargs):
        # One writer per run (rank 0); the end-of-training summary row (train_runtime...) is no step.
        if not state.is_world_process_zero or not logs or "train_runtime" in logs:
            return
        metrics = {k: v for k, v in logs.items() if type(v) in (int, float)}  # NaN is fine
        with open(self.path, "a") as f:
            f.write(json.dumps({"type": "step", "step": state.global_step, "t": time.time() * 1000, "metrics": metrics}) + "\n")
