package io.jclsync.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;

/**
 * Several nodes of one cluster in this JVM: each node's {@link #links()} join over the test stack
 * {@code loopback.xml} (JGroups' SHARED_LOOPBACK, frames still sealed by FrameSeal with the keys of
 * the cluster secret), and the cluster's DISCARD protocols cut nodes off, split it or drop a share
 * of messages. SHARED_LOOPBACK routes by cluster name in a static table: each instance's cluster
 * name must be one no other running test uses.
 */
public final class InJvmCluster {
    private final Map<String, ClusterMember> members = new ConcurrentHashMap<>();

    /**
     * Links for one node (one per node, as each process has its own): they join over the loopback
     * stack, and the member is known here by its node name from then on.
     */
    public ClusterLinks links() {
        return new ClusterLinks((config, secret, link) -> {
            ClusterMember m = ClusterMember.join(config.clusterName(), config.nodeName(),
                    ClusterStack.fromResource("loopback.xml", secret.frameKeys(config.clusterName())), link);
            members.put(config.nodeName(), m);
            return m;
        });
    }

    private DISCARD discard(String node) {
        ClusterMember m = members.get(node);
        if (m == null) throw new IllegalArgumentException(node + " has not joined");
        return m.protocol(DISCARD.class);
    }

    /** {@code node} neither sends nor receives anything until {@link #heal()}. */
    public void cut(String node) {
        discard(node).discardAll(true);
    }

    /**
     * Splits the cluster in two: the nodes of {@code side} and all the others stop hearing each
     * other (each drops what the other side sends) until {@link #heal()}.
     */
    public void split(Collection<String> side) {
        Set<String> a = Set.copyOf(side);
        for (String node : members.keySet()) {
            DISCARD d = discard(node);
            for (Map.Entry<String, ClusterMember> other : members.entrySet()) {
                if (a.contains(node) != a.contains(other.getKey())) d.addIgnoreMember(address(other.getValue()));
            }
        }
    }

    /** {@code node} drops a share {@code rate} (0 to 1) of the messages it sends and of those it receives. */
    public void lossy(String node, double rate) {
        discard(node).setUpDiscardRate(rate).setDownDiscardRate(rate);
    }

    /** Every node hears every other again, with no loss; the views merge by themselves (MERGE3). */
    public void heal() {
        for (String node : members.keySet()) {
            discard(node).discardAll(false).resetIgnoredMembers().setUpDiscardRate(0).setDownDiscardRate(0);
        }
    }

    /** The nodes that have joined. */
    public List<String> nodes() {
        return members.keySet().stream().sorted().toList();
    }

    /** Messages and frames {@code node} dropped because they did not decode or open (none, when all share the secret). */
    public ClusterMember.Rejections rejected(String node) {
        return members.get(node).rejected();
    }

    private static Address address(ClusterMember m) {
        return m.protocol(DISCARD.class).getAddress();
    }
}
