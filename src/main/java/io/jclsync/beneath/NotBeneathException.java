package io.jclsync.beneath;

import java.io.IOException;

/**
 * A path that would leave the tree: one of its directories is a symbolic link (or not a
 * directory), so writing there would land wherever the link points. Nothing was written.
 */
public final class NotBeneathException extends IOException {
    public NotBeneathException(String message) {
        super(message);
    }
}
