package io.jclsync.replica;

import io.jclsync.apply.Puller;
import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.wire.WireMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Where this tree's files can be pulled from: per node that said hello for it (and is still in the
 * view), its transfer endpoint and key.
 */
final class PeerSources {
    private static final Logger LOG = Logger.getLogger(PeerSources.class.getName());

    private final String self;
    private final Map<String, Puller.Source> sources = new ConcurrentHashMap<>();

    PeerSources(String self) {
        this.self = self;
    }

    /** A node said hello for this tree: it serves it at the endpoint and with the key its hello carries. */
    void hello(WireMessage.Hello h) {
        Puller.Source source = new Puller.Source(h.node(), h.transferEndpoint(), Fingerprint.of(h.transferKey()));
        if (!source.equals(sources.put(h.node(), source))) {
            LOG.info("peer " + h.node() + " (pulls from " + h.transferEndpoint() + ", transfer key " + source.key() + ")");
        }
    }

    /** Whether {@code node} said hello for this tree (and has not left the view since). */
    boolean saidHello(String node) {
        return sources.containsKey(node);
    }

    /** Forgets the nodes that are not in the view any more. */
    void retain(List<String> members) {
        sources.keySet().retainAll(members);
    }

    /**
     * Where to pull {@code origin}'s files from: the origin as it is now (it may leave the view
     * meanwhile), then every other node that said hello for this tree, read again at each call
     * (when the origin fails, a node that said hello meanwhile is a source too).
     */
    Supplier<List<Puller.Source>> sourcesFor(String origin) {
        Puller.Source first = sources.get(origin);
        return () -> {
            List<Puller.Source> all = new ArrayList<>();
            if (first != null) all.add(first);
            sources.forEach((node, s) -> {
                if (!node.equals(origin) && !node.equals(self)) all.add(s);
            });
            return all;
        };
    }
}
