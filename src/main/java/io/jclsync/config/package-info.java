/**
 * Immutable configuration: the {@link io.jclsync.config.Config} record and the rules-file parser.
 * May import {@code fs}, {@code filter}, {@code batch} (for {@link io.jclsync.batch.Delays}) and {@code versions}
 * (for {@link io.jclsync.versions.VersioningPolicy}).
 */
package io.jclsync.config;
