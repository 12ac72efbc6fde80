/**
 * Immutable configuration: {@code Config} and {@code ClusterConfig} (built with builders), config-file blocks and
 * the rules-file parser. May import {@code fs}, {@code filter}, {@code batch} ({@code Delays},
 * {@code ModificationSignature}) and {@code versions} ({@code VersioningPolicy}); nothing that runs.
 */
package io.jclsync.config;
