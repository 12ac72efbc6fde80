package io.jclsync.transfer;

/** What a transfer's result means for the daemon. */
public enum Outcome {
    /** Done (possibly with ignorable warnings such as vanished files). */
    OK,
    /** Failed in a way that may pass: retry the batch after a backoff. */
    RETRY,
    /** Failed in a way retrying cannot fix (bad arguments, unsupported action, missing program). */
    FATAL
}
