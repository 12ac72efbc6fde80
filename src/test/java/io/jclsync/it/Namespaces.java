package io.jclsync.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Network namespaces for tests that need their own network (multicast, partitions). Everything
 * lives inside the namespaces made here; the machine's own interfaces are never touched. Needs
 * root: tests skip without it, except under CI, where they must run.
 */
final class Namespaces {
    private Namespaces() {}

    static boolean available() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    /** Deletes namespaces, ignoring those that are gone. */
    static void delete(List<String> names) {
        for (String n : names) {
            try {
                ip("netns", "delete", n);
            } catch (IOException | InterruptedException e) {
                // already gone
            }
        }
    }
}
