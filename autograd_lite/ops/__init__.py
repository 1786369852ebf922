"""The primitives, one module per family; each op's forward sits beside its derivative."""
