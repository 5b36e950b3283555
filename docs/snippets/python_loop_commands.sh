npx goodhart watch rewards.jsonl          # live, beside the loop (Ctrl-C to stop)
npx goodhart audit rewards.jsonl --json   # after it, in CI: exit 0 healthy, 1 hacking or collapse
