package io.jclsync.cluster;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.SecretKey;
import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.ProtocolStackConfigurator;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack of a node: an XML resource with this node's addresses filled in and
 * the channel key handed to SYM_ENCRYPT as the protocol is created, before it initialises (so no
 * key store is ever written to disk).
 */
final class ClusterStack implements ProtocolStackConfigurator {
    private final ProtocolStackConfigurator xml;
    private final SecretKey key;

    private ClusterStack(ProtocolStackConfigurator xml, SecretKey key) {
        this.xml = xml;
        this.key = key;
    }

    /** The TCP + TCPPING stack bound to {@code bind}, discovering {@code peers}. */
    static ClusterStack tcp(InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key) throws Exception {
        ProtocolStackConfigurator xml;
        try (InputStream in = ClusterStack.class.getResourceAsStream("tcp.xml")) {
            if (in == null) throw new IllegalStateException("tcp.xml missing from the jar");
            xml = ConfiguratorFactory.getStackConfigurator(in);
        }
        String host = bind.getAddress().getHostAddress();
        String initialHosts = java.util.stream.Stream.concat(java.util.stream.Stream.of(bind), peers.stream())
                .map(a -> a.getAddress().getHostAddress() + "[" + a.getPort() + "]")
                .distinct().collect(Collectors.joining(","));
        for (ProtocolConfiguration pc : xml.getProtocolStack()) {
            switch (pc.getProtocolName()) {
                case "TCP" -> {
                    pc.getProperties().put("bind_addr", host);
                    pc.getProperties().put("bind_port", Integer.toString(bind.getPort()));
                }
                case "FD_SOCK2" -> pc.getProperties().put("bind_addr", host);
                case "TCPPING" -> pc.getProperties().put("initial_hosts", initialHosts);
                default -> { }
            }
        }
        return new ClusterStack(xml, key);
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
        if (protocol instanceof SYM_ENCRYPT encrypt) encrypt.setSecretKey(key);
        xml.afterCreation(protocol);
    }
}
