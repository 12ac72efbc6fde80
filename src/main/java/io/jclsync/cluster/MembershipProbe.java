package io.jclsync.cluster;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.wire.WireMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Joins a cluster for a listen window as a member that serves nothing and tells who answered: every
 * node seen in a view during the window, whether it said hello for the cluster's tree (or, a
 * {@code --ctl-socket} host, for trees of its own), and the transfer key its hello carried. What
 * {@code jclsync members} reports, to check addresses, firewall and secret before cluster sync is on.
 *
 * @param nodeName the name this node joins under
 * @param secret   the cluster's secret: a node with another one does not open our frames, nor we its
 */
public record MembershipProbe(String clusterName, String nodeName, ClusterSecret secret) {
    private static final Logger LOG = Logger.getLogger(MembershipProbe.class.getName());

    /** What a node seen in the window showed. */
    public enum Status {
        /** The probing node itself. */
        THIS_NODE,
        /** In the view, but no hello came from it in the window. */
        NO_HELLO,
        /** Said hello for the cluster's tree. */
        MEMBER,
        /** Said hello only for trees of its own (a host's trees have ids of their cluster and tree name). */
        HOST
    }

    /**
     * @param trees       how many trees the node said hello for
     * @param transferKey the key its hello carried (the one peers pin), or null if it serves no pulls
     */
    public record Answer(String node, Status status, int trees, Fingerprint transferKey) {
        /** This node, or a member that said hello: it counts towards the expected members. */
        public boolean answered() {
            return status != Status.NO_HELLO;
        }
    }

    /**
     * @param answers          every node seen in a view during the window, in the order first seen
     * @param transferKeys     how many nodes' hellos carried a transfer key
     * @param refusedFrames    frames that did not open: from a node with another secret, or changed or replayed
     */
    public record Result(List<Answer> answers, int transferKeys, long refusedFrames) {
        public Result {
            answers = List.copyOf(answers);
        }
    }

    /**
     * Joins at {@code bind}, over UDP multicast to {@code group} or, when it is null, over TCP with
     * {@code peers}; says hello (again at each view change, so late joiners hear it), listens for
     * {@code listen} and leaves.
     */
    public Result run(InetSocketAddress bind, List<InetSocketAddress> peers, InetSocketAddress group, Duration listen)
            throws Exception {
        byte[] treeId = TreeId.of(clusterName);
        // Per node, the trees it said hello for (a --ctl-socket host serves several).
        Map<String, Set<String>> hellos = new ConcurrentHashMap<>();
        // Per node, the transfer key its hello carried (the one peers pin).
        Map<String, Fingerprint> keys = new ConcurrentHashMap<>();
        // Everyone seen during the window: a node that leaves before we report still answered.
        Set<String> view = new LinkedHashSet<>();
        WireMessage.Hello mine = WireMessage.Hello.servingNothing(nodeName, treeId);
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
        try (ClusterMember member = ClusterMember.joinNetwork(clusterName, nodeName, bind, peers, group, secret, listener)) {
            self[0] = member;
            sendQuietly(member, mine);
            Thread.sleep(listen.toMillis());
            List<String> seen;
            synchronized (view) {
                seen = new ArrayList<>(view);
            }
            return new Result(answers(seen, hellos, keys, HexFormat.of().formatHex(treeId)), keys.size(),
                    member.rejected().frames());
        }
    }

    private List<Answer> answers(List<String> seen, Map<String, Set<String>> hellos, Map<String, Fingerprint> keys,
                                 String tree) {
        List<Answer> answers = new ArrayList<>();
        for (String name : seen) {
            Set<String> trees = hellos.get(name);
            Status status = name.equals(nodeName) ? Status.THIS_NODE
                    : trees == null ? Status.NO_HELLO
                    : trees.contains(tree) ? Status.MEMBER
                    : Status.HOST;
            answers.add(new Answer(name, status, trees == null ? 0 : trees.size(), keys.get(name)));
        }
        return answers;
    }

    private static void sendQuietly(ClusterMember member, WireMessage.Hello hello) {
        try {
            member.broadcast(hello);
        } catch (Exception e) {
            LOG.fine("hello not sent: " + e);
        }
    }
}
