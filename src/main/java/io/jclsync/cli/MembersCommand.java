package io.jclsync.cli;

import io.jclsync.cluster.ClusterMember;
import io.jclsync.cluster.ClusterSecret;
import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.PinStore;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.config.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Joins the cluster for a few seconds and lists who answered: checks addresses, firewall and the
 * shared secret on every node before cluster sync is switched on.
 */
@Command(name = "members", mixinStandardHelpOptions = true, modelTransformer = MembersCommand.AddressRequired.class,
        description = "Join the cluster briefly and list the nodes that answer (checks addresses and secret).")
final class MembersCommand implements Callable<Integer> {
    @Mixin
    Verbosity verbosity;

    @Mixin
    ClusterAddressOptions address;

    @Option(names = "--listen", paramLabel = "SECONDS", defaultValue = "5", converter = DurationConverter.class,
            description = "How long to listen (default 5).")
    Duration listen;

    @Option(names = "--expect", paramLabel = "N",
            description = "Members to expect, this node included (default: 1 + peers; with multicast, 1).")
    Integer expect;

    /**
     * Members cannot run without a cluster, a name and an address, while {@code -M cluster} asks for
     * them only in that mode: the shared options are optional, so they are made required here.
     */
    static final class AddressRequired implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (String name : List.of("--cluster-name", "--node-name", "--cluster-bind")) {
                OptionSpec option = spec.findOption(name);
                spec.remove(option);
                spec.addOption(OptionSpec.builder(option).required(true).build());
            }
            return spec;
        }
    }

    @Override
    public Integer call() throws Exception {
        verbosity.apply();
        ClusterSecret secret = ClusterSecret.read(address.secretFile);
        if (!io.jclsync.cluster.wire.WireCodec.isNodeName(address.nodeName)) {
            throw new ConfigException("--node-name '" + address.nodeName + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        byte[] treeId = io.jclsync.cluster.ClusterNode.treeId(address.clusterName);
        // Per node, the trees it said hello for (a --ctl-socket host serves several).
        Map<String, java.util.Set<String>> hellos = new ConcurrentHashMap<>();
        // Per node, the transfer key its hello carried (the one peers pin).
        Map<String, Fingerprint> keys = new ConcurrentHashMap<>();
        // Everyone seen during the window: a node that leaves before we report still answered.
        java.util.Set<String> view = new java.util.LinkedHashSet<>();
        WireMessage.Hello mine = WireMessage.Hello.servingNothing(address.nodeName, treeId);
        ClusterMember[] self = new ClusterMember[1];
        ClusterMember.Listener listener = new ClusterMember.Listener() {
            @Override
            public void received(String from, WireMessage message) {
                if (message instanceof WireMessage.Hello h) {
                    hellos.computeIfAbsent(h.node(), n -> ConcurrentHashMap.newKeySet()).add(h.tree());
                    if (h.transferKey().length > 0) keys.put(h.node(), Fingerprint.of(h.transferKey()));
                }
            }

            @Override
            public void viewChanged(List<String> members) {
                synchronized (view) {
                    view.addAll(members);
                }
                ClusterMember m = self[0];
                if (m != null) sendQuietly(m, mine);
            }
        };
        InetSocketAddress group = address.multicastGroup();
        try (ClusterMember member = group != null
                ? ClusterMember.joinMulticast(address.clusterName, address.nodeName, address.bind, group, secret, listener)
                : ClusterMember.joinTcp(address.clusterName, address.nodeName, address.bind, address.peers, secret, listener)) {
            self[0] = member;
            sendQuietly(member, mine);
            Thread.sleep(listen.toMillis());
            List<String> seen;
            synchronized (view) {
                seen = new ArrayList<>(view);
            }
            return report(seen, hellos, keys, treeId, member.rejected().frames());
        }
    }

    private static void sendQuietly(ClusterMember member, WireMessage.Hello hello) {
        try {
            member.broadcast(hello);
        } catch (Exception e) {
            java.util.logging.Logger.getLogger(MembersCommand.class.getName()).fine("hello not sent: " + e);
        }
    }

    private int report(List<String> seen, Map<String, java.util.Set<String>> hellos, Map<String, Fingerprint> keys,
                       byte[] treeId, long refused) {
        String cluster = java.util.HexFormat.of().formatHex(treeId);
        int wanted = expect != null ? expect : 1 + address.peers.size();
        Map<String, String> lines = new TreeMap<>();
        int sameTree = 0;
        for (String name : seen) {
            if (name.equals(address.nodeName)) {
                lines.put(name, "this node");
                sameTree++;
                continue;
            }
            java.util.Set<String> trees = hellos.get(name);
            if (trees == null) {
                lines.put(name, "in the view, no hello yet");
            } else {
                // A host's trees have ids of their own (cluster and tree name): it is a member all the same.
                String ok = trees.contains(cluster) ? "ok" : "ok (a --ctl-socket host: " + trees.size() + " tree(s))";
                Fingerprint key = keys.get(name);
                lines.put(name, ok + (key == null ? ", serves no pulls" : ", transfer key " + key));
                sameTree++;
            }
        }
        System.out.println("cluster " + address.clusterName + ": " + sameTree + " of " + wanted + " expected member(s)");
        lines.forEach((name, what) -> System.out.println("  " + name + "  " + what));
        if (!keys.isEmpty()) {
            System.out.println("  (every member above authenticated with the cluster secret; a node pins each peer's transfer "
                    + "key at first sight, in STATE_DIR/" + PinStore.FILE + ")");
        }
        // Frames that did not open come from someone who is not a member: say so rather than stay silent.
        if (refused > 0) {
            System.out.println("  refused: " + refused + " frame(s) that did not authenticate (a node with another "
                    + "secret, or frames changed or replayed on the way)");
        }
        if (sameTree >= wanted) return 0;
        System.err.println("jclsync: only " + sameTree + " of " + wanted + " members answered: check --cluster-bind/"
                + "--cluster-peers (or that multicast reaches every node) on every node, that the ports are open between them, and that every node has "
                + "the same secret file");
        return 1;
    }
}
