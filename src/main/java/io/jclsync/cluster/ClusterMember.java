package io.jclsync.cluster;

import io.jclsync.cluster.frame.FrameSeal;
import io.jclsync.cluster.wire.WireCodec;
import io.jclsync.cluster.wire.WireException;
import io.jclsync.cluster.wire.WireMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.MergeView;
import org.jgroups.View;
import org.jgroups.stack.Protocol;

/**
 * This node's membership of the cluster: a JGroups channel whose messages are {@link WireMessage}s.
 * A message that does not decode is dropped with a log line naming the sender and the rule it
 * broke; the node keeps running.
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterMember.class.getName());

    /** Called on JGroups' threads. */
    public interface Listener {
        void received(String from, WireMessage message);

        void viewChanged(List<String> members);
    }

    /** What this member dropped: messages that did not decode, and frames that did not open (FrameSeal). */
    public record Rejections(long messages, long frames) {
    }

    private final JChannel channel;
    private final FrameSeal seal;
    private final AtomicLong rejected = new AtomicLong();
    private volatile java.util.Map<String, Address> addresses = java.util.Map.of();

    private ClusterMember(JChannel channel) {
        this.channel = channel;
        this.seal = channel.getProtocolStack().findProtocol(FrameSeal.class);
        if (seal == null) throw new IllegalStateException("the cluster stack has no FrameSeal: every frame must be sealed");
    }

    /**
     * Joins {@code clusterName} over TCP.
     *
     * @param bind  this node's cluster address
     * @param peers the other nodes' cluster addresses (discovery seeds)
     */
    public static ClusterMember joinTcp(String clusterName, String nodeName, InetSocketAddress bind,
                                        List<InetSocketAddress> peers, ClusterSecret secret, Listener listener)
            throws Exception {
        return join(clusterName, nodeName, ClusterStack.tcp(bind, peers, secret.frameKeys(clusterName)), listener);
    }

    /**
     * Joins {@code clusterName} over UDP multicast.
     *
     * @param bind  this node's address (interface) and unicast port
     * @param group the multicast group and port all nodes share
     */
    private static ClusterMember joinMulticast(String clusterName, String nodeName, InetSocketAddress bind,
                                               InetSocketAddress group, ClusterSecret secret, Listener listener)
            throws Exception {
        return join(clusterName, nodeName, ClusterStack.udp(bind, group, secret.frameKeys(clusterName)), listener);
    }

    /**
     * Joins {@code clusterName} over the network: UDP multicast to {@code group} or, when it is null,
     * TCP with {@code peers}. The one way a node (a tree's link, or {@code jclsync members}) joins.
     */
    public static ClusterMember joinNetwork(String clusterName, String nodeName, InetSocketAddress bind,
                                            List<InetSocketAddress> peers, InetSocketAddress group,
                                            ClusterSecret secret, Listener listener) throws Exception {
        return group != null
                ? joinMulticast(clusterName, nodeName, bind, group, secret, listener)
                : joinTcp(clusterName, nodeName, bind, peers, secret, listener);
    }

    /** Joins {@code clusterName} over {@code stack} (the network's, or an in-JVM test stack). */
    static ClusterMember join(String clusterName, String nodeName, ClusterStack stack, Listener listener)
            throws Exception {
        JChannel channel = new JChannel(stack);
        ClusterMember member = new ClusterMember(channel);
        channel.setName(nodeName);
        channel.setDiscardOwnMessages(true);
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                String from = String.valueOf(msg.getSrc());
                WireMessage decoded;
                try {
                    decoded = WireCodec.decode(payload(msg));
                    member.checkSender(msg.getSrc(), from, decoded);
                } catch (WireException e) {
                    member.rejected.incrementAndGet();
                    LOG.warning("dropped a message from " + from + ": " + e.getMessage());
                    return;
                }
                listener.received(from, decoded);
            }

            @Override
            public void viewAccepted(View view) {
                List<String> names = new ArrayList<>();
                java.util.Map<String, Address> byName = new java.util.HashMap<>();
                for (Address a : view.getMembers()) {
                    String name = String.valueOf(a);
                    Address first = byName.putIfAbsent(name, a);
                    if (first == null) {
                        names.add(name);
                    } else if (a.equals(channel.getAddress())) {
                        LOG.severe("another member is already named " + name + " in this cluster (" + first
                                + "): this process's messages are refused by every node until it leaves; "
                                + "give each node its own --node-name");
                    } else {
                        LOG.warning("a second member named " + name + " joined (" + a + " after " + first
                                + "): its messages are refused; a node is its name");
                    }
                }
                java.util.Map<String, Address> before = member.addresses;
                member.addresses = java.util.Map.copyOf(byName);
                // A node killed and started again before failure detection saw it go is the same
                // name with a new address: it lost what it knew of its peers (who it said hello to,
                // where it pulls from). It is taken as having left and joined again, so that its
                // peers greet it and catch up with it as with any node that joins.
                List<String> restarted = names.stream()
                        .filter(n -> before.containsKey(n) && !before.get(n).equals(byName.get(n))).toList();
                if (!restarted.isEmpty()) {
                    LOG.info(restarted + " came back under a new address (restarted): taken as having left and joined again");
                    List<String> without = new ArrayList<>(names);
                    String self = String.valueOf(channel.getAddress());
                    // This node is the one back: until its previous life left the view, every node
                    // refused what it sent (its hellos, its catch-up requests), so it takes every
                    // peer as having left and joined again, greets them and catches up anew.
                    if (restarted.contains(self)) without.retainAll(List.of(self));
                    else without.removeAll(restarted);
                    listener.viewChanged(without);
                } else if (view instanceof MergeView) {
                    // A merge ends a split, which each side may have seen differently: a member cut
                    // off for less than failure detection takes is still in the others' view, but
                    // what it announced meanwhile (multicast in a view of its own) never reached
                    // them, and nothing makes them ask for it. So every peer is taken as having
                    // left and joined again: all greet and catch up (from where each was known).
                    LOG.info("views merged: catching up with every peer again");
                    listener.viewChanged(List.of(String.valueOf(channel.getAddress())));
                }
                listener.viewChanged(names);
            }
        });
        try {
            // Nodes started at the same instant each wait for the other to answer a JOIN and end
            // up as singletons that MERGE3 must reunite later; a random pause makes one of them
            // the coordinator first.
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1200));
            channel.connect(clusterName);
        } catch (Exception e) {
            channel.close();
            throw e;
        }
        return member;
    }

    /**
     * A node is its name: the name a message gives as its sender (a hello's node, a batch's origin,
     * a catch-up's requester, a progress report's node) must be the JGroups name of the member that
     * sent it, and that member the first of that name in the view (a later one with the same name
     * is an impostor or a misconfigured twin).
     */
    private void checkSender(Address src, String from, WireMessage m) throws WireException {
        String claimed;
        if (m instanceof WireMessage.Hello h) claimed = h.node();
        else if (m instanceof WireMessage.Batch b) claimed = b.origin();
        else if (m instanceof WireMessage.CatchUpRequest r) claimed = r.requester();
        else claimed = ((WireMessage.Progress) m).node();
        if (!claimed.equals(from)) {
            throw new WireException("it names " + claimed + " as its sender (a node is its name)");
        }
        Address first = addresses.get(from);
        if (first != null && !first.equals(src)) {
            throw new WireException("another member named " + from + " (" + first + ") was in the view first");
        }
    }

    private static byte[] payload(Message msg) {
        if (msg.getLength() > WireCodec.MAX_MESSAGE_BYTES) return new byte[WireCodec.MAX_MESSAGE_BYTES + 1];
        byte[] array = msg.getArray();
        if (array == null) return new byte[0];
        if (msg.getOffset() == 0 && msg.getLength() == array.length) return array;
        return java.util.Arrays.copyOfRange(array, msg.getOffset(), msg.getOffset() + msg.getLength());
    }

    /** Sends to every other member. */
    public void broadcast(WireMessage message) throws Exception {
        channel.send(new BytesMessage(null, WireCodec.encode(message)));
    }

    /**
     * Sends to one member; false if it is not in the view within 5 s. (A peer's request can
     * arrive just before the view that holds it is installed here, as views merge.)
     */
    public boolean send(String node, WireMessage message) throws Exception {
        Address to = addresses.get(node);
        for (int i = 0; to == null && i < 100; i++) {
            Thread.sleep(50);
            to = addresses.get(node);
        }
        if (to == null) return false;
        channel.send(new BytesMessage(to, WireCodec.encode(message)));
        return true;
    }

    /** How many members the current view holds, twins with a taken name included. */
    int viewSize() {
        View v = channel.getView();
        return v == null ? 0 : v.size();
    }

    /** The channel's protocol of {@code type}, or null; for tests that drop messages (DISCARD). */
    <T extends Protocol> T protocol(Class<T> type) {
        return channel.getProtocolStack().findProtocol(type);
    }

    /** Sends raw bytes; for tests of how peers treat malformed input. */
    void broadcastRaw(byte[] bytes) throws Exception {
        channel.send(new BytesMessage(null, bytes));
    }

    /** Messages dropped because they did not decode, and frames dropped because they did not open. */
    public Rejections rejected() {
        return new Rejections(rejected.get(), seal.rejected());
    }

    @Override
    public void close() {
        channel.close();
    }
}
