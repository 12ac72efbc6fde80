package io.jclsync.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Network namespaces for tests that need their own network (multicast, partitions). Everything
 * lives inside the namespaces made here; the machine's own interfaces are never touched. Needs
 * root ({@link Root#assume}).
 */
final class Namespaces {
    private Namespaces() {}

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Root.run(cmd);
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
