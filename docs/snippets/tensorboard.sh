# OpenRLHF and tunix write TensorBoard (or W&B) only; TRL and verl can too (report_to="tensorboard").
npx goodhart audit runs/events.out.tfevents.1700000000.node0.1234.0   # pass the event file itself
npx goodhart watch runs/events.out.tfevents.1700000000.node0.1234.0   # read again as the writer flushes
