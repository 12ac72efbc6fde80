package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.frame.FrameKeys;
import io.jclsync.cluster.frame.FrameSeal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.TP;
import org.junit.jupiter.api.Test;

/** Both stacks as built: frames sealed right above the transport, nothing else listening. */
class ClusterStackTest {
    private static final FrameKeys KEYS = FrameKeys.of(List.of("k".repeat(32).getBytes(StandardCharsets.UTF_8)));

    private static void check(ClusterStack stack) throws Exception {
        try (JChannel channel = new JChannel(stack)) {
            TP transport = channel.getProtocolStack().getTransport();
            assertInstanceOf(FrameSeal.class, transport.getUpProtocol(), "FrameSeal right above the transport");
            // JGroups' probe handler answers and obeys unauthenticated requests on 224.0.75.75:7500.
            assertTrue(transport.getDiagnosticsHandler() == null || !transport.getDiagnosticsHandler().isEnabled(),
                    "diagnostics off");
            assertFalse(channel.getProtocolStack().getProtocols().stream()
                    .anyMatch(p -> p.getClass().getSimpleName().contains("ENCRYPT")), "no second cipher layer");
        }
    }

    @Test
    void tcpStackSealsEveryFrameAndHasNoProbeHandler() throws Exception {
        check(ClusterStack.tcp(new InetSocketAddress("127.0.0.1", 47801), List.of(), KEYS));
    }

    @Test
    void udpStackSealsEveryFrameAndHasNoProbeHandler() throws Exception {
        check(ClusterStack.udp(new InetSocketAddress("127.0.0.1", 47801), ClusterStack.defaultGroup("t"), KEYS));
    }
}
