# goodhart_log.py: one goodhart JSONL record per scored sample (docs/schema.md), from any loop.
import json
import time


class GoodhartLog:
    def __init__(self, path="rewards.jsonl"):
        self.file = open(path, "a", buffering=1)  # line-buffered: goodhart sees each record at once

    def event(self, step, reward, **fields):
        """One scored sample. fields: components={name: value}, group, response, prompt, length, kl, run."""
        self.write({"type": "event", "step": step, "reward": reward, **fields})

    def step(self, step, metrics):
        """One step of metrics you already compute: {"reward/mean": ..., "kl": ...}."""
        self.write({"type": "step", "step": step, "metrics": metrics})

    def write(self, record):
        # default=float takes numpy and 0-d torch scalars; NaN is written as NaN and read as missing.
        self.file.write(json.dumps({**record, "t": time.time() * 1000}, default=float) + "\n")

    def close(self):
        self.file.close()


# log = GoodhartLog("rewards.jsonl")
# for step, batch in enumerate(loader):
#     ...  # generate, score
#     for text, group, reward, parts in zip(completions, group_ids, rewards, components):
#         log.event(step, reward, group=group, response=text, components=parts)
