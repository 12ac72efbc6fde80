package io.jclsync.cluster;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.PinStore;
import io.jclsync.cluster.tls.TransferListener;
import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The transfer keys of the members that said hello: a hello's key is taken when it is the one
 * pinned for the node's name, or the name is new here (then it is pinned: trust on first use). A
 * name that comes with another key is refused, with its messages, until the operator deletes its
 * pin. The transfer listener asks whose a client's key is; pulls take a source's key from here.
 */
final class MemberKeys implements TransferListener.Members {
    private static final Logger LOG = Logger.getLogger(MemberKeys.class.getName());

    private final PinStore pins;
    private final Path pinFile;
    private final Map<String, Fingerprint> keys = new ConcurrentHashMap<>();
    /** Names whose key is not their pinned one, with that key (logged once per key). */
    private final Map<String, Fingerprint> refused = new ConcurrentHashMap<>();

    private MemberKeys(PinStore pins, Path pinFile) {
        this.pins = pins;
        this.pinFile = pinFile;
    }

    /** The pins in {@code stateDir}, checked like every private file there. */
    static MemberKeys open(Path stateDir) throws IOException, ConfigException {
        Path file = stateDir.resolve(PinStore.FILE);
        PrivateFiles.checkPrivateFileIfPresent(file, "transfer pins file");
        return new MemberKeys(PinStore.open(file), file);
    }

    /** Whether {@code node}'s hello with {@code key} is taken (its key is then the member's). */
    boolean admit(String node, Fingerprint key) {
        for (Map.Entry<String, Fingerprint> e : keys.entrySet()) {
            if (e.getValue().equals(key) && !e.getKey().equals(node)) {
                // One key, one node: otherwise the listener could not tell whom it serves.
                if (!key.equals(refused.put(node, key))) {
                    LOG.severe("REFUSED node " + node + ": its transfer key " + key + " is the key of member " + e.getKey()
                            + "; its pulls are refused and its messages dropped (someone with the cluster secret "
                            + "copied " + e.getKey() + "'s state dir, or its key)");
                }
                keys.remove(node);
                return false;
            }
        }
        PinStore.Verdict verdict;
        try {
            verdict = pins.check(node, key);
        } catch (IOException e) {
            LOG.severe("cannot pin " + node + "'s transfer key in " + pinFile + " (" + e.getMessage() + "): not taking it");
            return false;
        }
        if (verdict == PinStore.Verdict.CHANGED) {
            if (!key.equals(refused.put(node, key))) {
                LOG.severe("REFUSED node " + node + ": its transfer key is now " + key + ", but this node pinned "
                        + "another for that name (in " + pinFile + "). Its pulls are refused and its "
                        + "messages dropped. If " + node + " was reinstalled or its state dir reset, delete the line '"
                        + node + " ...' from " + pinFile + " on every node that knew it, then restart " + node
                        + " (its next hello, at any view change, pins the new key); otherwise someone else with the "
                        + "cluster secret is using the name " + node);
            }
            keys.remove(node);
            return false;
        }
        if (verdict == PinStore.Verdict.PINNED) LOG.info("pinned " + node + "'s transfer key " + key + " (first seen)");
        refused.remove(node);
        keys.put(node, key);
        return true;
    }

    /** Whether {@code node}'s last hello was refused. */
    boolean refused(String node) {
        return refused.containsKey(node);
    }

    /** The members now in the view: the others' keys are forgotten (the pins stay). */
    void retain(Collection<String> view) {
        keys.keySet().retainAll(view);
        refused.keySet().retainAll(view);
    }

    @Override
    public String nameOf(Fingerprint key) {
        for (Map.Entry<String, Fingerprint> e : keys.entrySet()) {
            if (e.getValue().equals(key)) return e.getKey();
        }
        return null;
    }

    /** The current members' keys, by name. */
    Map<String, Fingerprint> current() {
        return new TreeMap<>(keys);
    }
}
