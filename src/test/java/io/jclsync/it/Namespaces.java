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

    /**
     * A bridge in namespace {@code bridge} and, for each of {@code nodes}, a namespace with loopback
     * up and an eth0 on the bridge (its veth end there is {@code v<i>}) holding {@code prefix + (i + 1)}/24.
     */
    static void bridged(String bridge, List<String> nodes, String prefix) throws IOException, InterruptedException {
        ip("netns", "add", bridge);
        ip("-n", bridge, "link", "add", "br0", "type", "bridge");
        ip("-n", bridge, "link", "set", "br0", "up");
        for (int i = 0; i < nodes.size(); i++) {
            String ns = nodes.get(i);
            ip("netns", "add", ns);
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", bridge, "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", bridge, "link", "set", "v" + i, "master", "br0", "up");
            ip("-n", ns, "addr", "add", prefix + (i + 1) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
        }
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
