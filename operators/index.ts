// goodhart/operators: one public operator per file, re-exported explicitly, alphabetically.
export {};
