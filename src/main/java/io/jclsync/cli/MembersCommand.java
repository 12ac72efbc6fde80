package io.jclsync.cli;

import io.jclsync.cluster.ClusterSecret;
import io.jclsync.cluster.MembershipProbe;
import io.jclsync.cluster.tls.PinStore;
import io.jclsync.cluster.wire.WireCodec;
import io.jclsync.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Joins the cluster for a few seconds and lists who answered (a {@link MembershipProbe}): checks
 * addresses, firewall and the shared secret on every node before cluster sync is switched on.
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
     * The probe cannot run without a cluster, a name and an address, while {@code -M cluster} asks for
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
        if (!WireCodec.isNodeName(address.nodeName)) {
            throw new ConfigException("--node-name '" + address.nodeName + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        MembershipProbe.Result result = new MembershipProbe(address.clusterName, address.nodeName, secret)
                .run(address.bind, address.peers, address.multicastGroup(), listen);
        return report(result);
    }

    private int report(MembershipProbe.Result result) {
        int wanted = expect != null ? expect : 1 + address.peers.size();
        Map<String, String> lines = new TreeMap<>();
        int answered = 0;
        for (MembershipProbe.Answer a : result.answers()) {
            String what = switch (a.status()) {
                case THIS_NODE -> "this node";
                case NO_HELLO -> "in the view, no hello yet";
                case MEMBER -> "ok" + key(a);
                case HOST -> "ok (a --ctl-socket host: " + a.trees() + " tree(s))" + key(a);
            };
            lines.put(a.node(), what);
            if (a.answered()) answered++;
        }
        System.out.println("cluster " + address.clusterName + ": " + answered + " of " + wanted + " expected member(s)");
        lines.forEach((name, what) -> System.out.println("  " + name + "  " + what));
        if (result.transferKeys() > 0) {
            System.out.println("  (every member above authenticated with the cluster secret; a node pins each peer's transfer "
                    + "key at first sight, in STATE_DIR/" + PinStore.FILE + ")");
        }
        // Frames that did not open come from someone who is not a member: say so rather than stay silent.
        if (result.refusedFrames() > 0) {
            System.out.println("  refused: " + result.refusedFrames() + " frame(s) that did not authenticate (a node with "
                    + "another secret, or frames changed or replayed on the way)");
        }
        if (answered >= wanted) return 0;
        System.err.println("jclsync: only " + answered + " of " + wanted + " members answered: check --cluster-bind/"
                + "--cluster-peers (or that multicast reaches every node) on every node, that the ports are open between them, and that every node has "
                + "the same secret file");
        return 1;
    }

    private static String key(MembershipProbe.Answer a) {
        return a.transferKey() == null ? ", serves no pulls" : ", transfer key " + a.transferKey();
    }
}
