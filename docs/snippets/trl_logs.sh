# TRL, from the logs it writes anyway:
npx goodhart audit output/checkpoint-500/trainer_state.json   # a finished run; exit 1 when flagged
python3 train_grpo.py 2>&1 | tee trl_stdout.log                # TRL prints every log row...
npx goodhart watch trl_stdout.log                              # ...which goodhart follows live
