package io.jclsync.cluster;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;
import io.jclsync.cluster.frame.FrameKeys;
import io.jclsync.cluster.frame.FrameSeal;
import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.ProtocolStackConfigurator;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack of a node: an XML resource with this node's addresses filled in and
 * the frame keys handed to {@link FrameSeal} as the protocol is created, before it initialises (so
 * no key store is ever written to disk).
 */
public final class ClusterStack implements ProtocolStackConfigurator {
    private final ProtocolStackConfigurator xml;
    private final FrameKeys keys;

    private ClusterStack(ProtocolStackConfigurator xml, FrameKeys keys) {
        this.xml = xml;
        this.keys = keys;
    }

    /** Port of the default multicast group. */
    static final int DEFAULT_MULTICAST_PORT = 45588;

    /**
     * The multicast group a cluster uses when none is given: in 239.255.0.0/16 (organisation-local
     * scope, never routed off-site), derived from the cluster name so that two clusters on one LAN
     * do not share a group by default.
     */
    public static InetSocketAddress defaultGroup(String clusterName) {
        byte[] h;
        try {
            h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("jclsync-group/" + clusterName).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new InetSocketAddress("239.255." + (h[0] & 0xff) + "." + Math.max(1, h[1] & 0xff), DEFAULT_MULTICAST_PORT);
    }

    private static ProtocolStackConfigurator load(String resource) throws Exception {
        try (InputStream in = ClusterStack.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " missing from the jar");
            return ConfiguratorFactory.getStackConfigurator(in);
        }
    }

    /**
     * The stack in resource {@code resource} (next to this class) as it is, with the frame keys: for
     * in-JVM tests, whose {@code loopback.xml} (SHARED_LOOPBACK, DISCARD) is a test resource.
     */
    static ClusterStack fromResource(String resource, FrameKeys keys) throws Exception {
        return new ClusterStack(load(resource), keys);
    }

    /** The UDP multicast stack on {@code bind}'s interface and port, in multicast group {@code group}. */
    static ClusterStack udp(InetSocketAddress bind, InetSocketAddress group, FrameKeys keys) throws Exception {
        ProtocolStackConfigurator xml = load("udp.xml");
        String host = bind.getAddress().getHostAddress();
        for (ProtocolConfiguration pc : xml.getProtocolStack()) {
            switch (pc.getProtocolName()) {
                case "UDP" -> {
                    pc.getProperties().put("bind_addr", host);
                    pc.getProperties().put("bind_port", Integer.toString(bind.getPort()));
                    pc.getProperties().put("mcast_addr", group.getAddress().getHostAddress());
                    pc.getProperties().put("mcast_port", Integer.toString(group.getPort()));
                }
                case "FD_SOCK2" -> pc.getProperties().put("bind_addr", host);
                default -> { }
            }
        }
        return new ClusterStack(xml, keys);
    }

    /** The TCP + TCPPING stack bound to {@code bind}, discovering {@code peers}. */
    static ClusterStack tcp(InetSocketAddress bind, List<InetSocketAddress> peers, FrameKeys keys) throws Exception {
        ProtocolStackConfigurator xml = load("tcp.xml");
        String host = bind.getAddress().getHostAddress();
        String initialHosts = java.util.stream.Stream.concat(java.util.stream.Stream.of(bind), peers.stream())
                .map(a -> a.getAddress().getHostAddress() + "[" + a.getPort() + "]")
                .distinct().collect(Collectors.joining(","));
        for (ProtocolConfiguration pc : xml.getProtocolStack()) {
            switch (pc.getProtocolName()) {
                case "TCP" -> {
                    pc.getProperties().put("bind_addr", host);
                    pc.getProperties().put("bind_port", Integer.toString(bind.getPort()));
                    advertised().ifPresent(a -> {
                        pc.getProperties().put("external_addr", a.getHostString());
                        pc.getProperties().put("external_port", Integer.toString(a.getPort()));
                    });
                }
                case "FD_SOCK2" -> pc.getProperties().put("bind_addr", host);
                case "TCPPING" -> pc.getProperties().put("initial_hosts", initialHosts);
                default -> { }
            }
        }
        return new ClusterStack(xml, keys);
    }

    /**
     * The address peers are told to reach this node at, when it is not the bound one: system property
     * {@code jclsync.cluster.advertise=HOST:PORT} (a port forwarded through NAT, or the frame relay of
     * {@code ClusterFramesIT}). The failure detector's port is that port + 100, as on the bound address.
     */
    private static java.util.Optional<InetSocketAddress> advertised() {
        String a = System.getProperty("jclsync.cluster.advertise");
        if (a == null || a.isBlank()) return java.util.Optional.empty();
        int colon = a.lastIndexOf(':');
        if (colon < 1) throw new IllegalArgumentException("jclsync.cluster.advertise=" + a + ": use HOST:PORT");
        return java.util.Optional.of(InetSocketAddress.createUnresolved(a.substring(0, colon),
                Integer.parseInt(a.substring(colon + 1))));
    }

    @Override
    public String getProtocolStackString() {
        return xml.getProtocolStackString();
    }

    @Override
    public List<ProtocolConfiguration> getProtocolStack() {
        return xml.getProtocolStack();
    }

    @Override
    public void afterCreation(Protocol protocol) throws Exception {
        if (protocol instanceof FrameSeal seal) seal.keys(keys);
        xml.afterCreation(protocol);
    }
}
