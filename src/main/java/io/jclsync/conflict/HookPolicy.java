package io.jclsync.conflict;

import io.jclsync.fs.RelPath;
import io.jclsync.fs.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.Locale;

/**
 * Asks the user's {@code --conflict-hook} script which version wins. The script gets the conflict
 * as JSON on stdin and as environment variables (see README, "Conflict hooks"), and prints the
 * winning node's name, or {@code keep-both} (no preference), on its first line. A script that
 * fails, times out or prints anything else falls back to {@code fallback}, with a log line. Each
 * run is a {@link HookRun} (own process group, killed whole; stderr to the log); all the runs of a
 * batch share a {@link HookBudget}, after which {@code fallback} decides without asking.
 */
public final class HookPolicy implements ConflictPolicy {
    private static final Logger LOG = Logger.getLogger(HookPolicy.class.getName());

    /** The hook's time per batch: six of its usual 10 s timeouts. */
    static final Duration BATCH_BUDGET = Duration.ofSeconds(60);
    /** A pause between two conflicts this long ends a batch (see {@link HookBudget}). */
    static final Duration BATCH_PAUSE = Duration.ofSeconds(1);

    private final Path script;
    private final Path root;
    private final Duration timeout;
    private final ConflictPolicy fallback;
    private final HookBudget budget;

    public HookPolicy(Path script, Path root, Duration timeout, ConflictPolicy fallback) {
        this(script, root, timeout, fallback, new HookBudget(BATCH_BUDGET, BATCH_PAUSE, System::nanoTime, script.toString()));
    }

    HookPolicy(Path script, Path root, Duration timeout, ConflictPolicy fallback, HookBudget budget) {
        this.script = script;
        this.root = root;
        this.timeout = timeout;
        this.fallback = fallback;
        this.budget = budget;
    }

    @Override
    public Candidate winner(RelPath path, Candidate a, Candidate b) {
        return decide("file", path, a, b, fallback::winner);
    }

    @Override
    public Candidate subtreeWinner(RelPath subtree, Candidate a, Candidate b) {
        return decide("subtree", subtree, a, b, fallback::subtreeWinner);
    }

    private Candidate decide(String scope, RelPath path, Candidate a, Candidate b, ConflictPolicy fallback) {
        // The same order on every node, whichever side is local.
        List<Candidate> both = a.node().compareTo(b.node()) <= 0 ? List.of(a, b) : List.of(b, a);
        if (!budget.mayAsk()) return fallback.winner(path, a, b);
        String answer;
        long start = System.nanoTime();
        try {
            answer = ask(scope, path, both);
        } catch (IOException e) {
            LOG.warning("conflict hook " + script + " failed for " + path + " (" + e.getMessage() + "); using the default policy");
            return fallback.winner(path, a, b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback.winner(path, a, b);
        } finally {
            budget.charge(System.nanoTime() - start);
        }
        if (answer.equals("keep-both")) {
            LOG.info("conflict hook: keep both versions of " + path + "; the default policy picks which keeps the path");
            return fallback.winner(path, a, b);
        }
        for (Candidate c : both) {
            if (c.node().equals(answer)) {
                LOG.info("conflict hook: " + answer + "'s version of " + path + " wins");
                return c;
            }
        }
        LOG.warning("conflict hook " + script + " answered '" + answer + "' for " + path + " (expected "
                + both.get(0).node() + ", " + both.get(1).node() + " or keep-both); using the default policy");
        return fallback.winner(path, a, b);
    }

    private String ask(String scope, RelPath path, List<Candidate> both) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        env.put("JCLSYNC_CONFLICT_PATH", new String(path.bytes(), StandardCharsets.UTF_8));
        env.put("JCLSYNC_CONFLICT_SCOPE", scope);
        env.put("JCLSYNC_WATCH_DIR", root.toString());
        for (int i = 0; i < both.size(); i++) {
            Candidate c = both.get(i);
            String n = Integer.toString(i + 1);
            env.put("JCLSYNC_NODE_" + n, c.node());
            env.put("JCLSYNC_TYPE_" + n, c.state().type().name().toLowerCase(Locale.ROOT));
            env.put("JCLSYNC_SIZE_" + n, Long.toString(c.state().size()));
            env.put("JCLSYNC_MTIME_NS_" + n, Long.toString(c.state().mtimeNanos()));
            env.put("JCLSYNC_SHA256_" + n, HexFormat.of().formatHex(c.state().sha256()));
            env.put("JCLSYNC_FILES_" + n, Long.toString(c.files()));
        }
        HookRun.Result r = HookRun.run(script, root, env, json(scope, path, both), timeout);
        if (r.timedOut()) {
            throw new IOException("no answer within " + timeout.toMillis() / 1000.0 + " s; its process group was killed");
        }
        if (r.exitCode() != 0) throw new IOException("exit code " + r.exitCode());
        return r.stdout().lines().findFirst().orElse("").strip();
    }

    /** The conflict as JSON: the path (UTF-8, and exact as base64), the scope, both candidates. */
    static String json(String scope, RelPath path, List<Candidate> both) {
        StringBuilder sb = new StringBuilder("{\"path\": ").append(Json.quote(new String(path.bytes(), StandardCharsets.UTF_8)))
                .append(", \"path_base64\": \"").append(Base64.getEncoder().encodeToString(path.bytes()))
                .append("\", \"scope\": \"").append(scope).append("\", \"candidates\": [");
        for (int i = 0; i < both.size(); i++) {
            Candidate c = both.get(i);
            if (i > 0) sb.append(", ");
            sb.append("{\"node\": ").append(Json.quote(c.node()))
                    .append(", \"type\": \"").append(c.state().type().name().toLowerCase(Locale.ROOT))
                    .append("\", \"size\": ").append(c.state().size())
                    .append(", \"files\": ").append(c.files())
                    .append(", \"mtime_ns\": ").append(c.state().mtimeNanos())
                    .append(", \"sha256\": \"").append(HexFormat.of().formatHex(c.state().sha256()))
                    .append("\", \"version\": {");
            String sep = "";
            for (Map.Entry<String, Long> v : c.version().asMap().entrySet()) {
                sb.append(sep).append(Json.quote(v.getKey())).append(": ").append(v.getValue());
                sep = ", ";
            }
            sb.append("}}");
        }
        return sb.append("]}\n").toString();
    }
}
