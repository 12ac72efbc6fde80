package io.jclsync.transfer;

/**
 * What one transfer did.
 *
 * @param outcome      ok / retry / fatal
 * @param exitCode     the child's exit code (0 for in-process transfers, -1 when killed on timeout)
 * @param bytesSent    bytes the sender wrote (rsync's "Total bytes sent"), or bytes copied
 * @param literalBytes file data actually copied (rsync's "Literal data"); renames and quick-check
 *                     hits cost none
 * @param renamed      renames applied directly at the destination
 * @param detail       a short explanation when not OK (the tail of the child's output)
 */
public record TransferResult(Outcome outcome, int exitCode, long bytesSent, long literalBytes, int renamed,
                             String detail) {
    public static TransferResult ok(long bytesSent, long literalBytes, int renamed) {
        return new TransferResult(Outcome.OK, 0, bytesSent, literalBytes, renamed, "");
    }
}
