// goodhart/kernels: pure streaming statistics (no rxjs, no I/O). Explicit re-exports only.
export {};
