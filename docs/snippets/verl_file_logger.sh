# verl: keep the console and add the `file` logger, one {"step": n, "data": {...}} line per step.
export VERL_FILE_LOGGER_PATH=$PWD/verl_metrics.jsonl
python3 -m verl.trainer.main_ppo ... trainer.logger="['console','file']" 2>&1 | tee verl_console.log
npx goodhart watch verl_metrics.jsonl --format verl-file-jsonl   # live, beside the run
npx goodhart audit verl_console.log                             # or judge the console log afterwards
