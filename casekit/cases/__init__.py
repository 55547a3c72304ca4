"""The simulated cases, one subpackage per work task (T1-T5). Pure domain logic: no widgets, no notebooks."""
