package io.jclsync.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;

/**
 * For tests that change the machine (mounts, network namespaces): they need root, are skipped
 * without it, except under CI, where they must run.
 */
final class Root {
    private Root() {}

    static void assume(String what) {
        assumeTrue("root".equals(System.getProperty("user.name")) || System.getenv("CI") != null, what + " needs root");
    }

    /** Runs a command and returns its output (stdout and stderr); a non-zero exit is an IOException with it. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
