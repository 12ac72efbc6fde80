/**
 * Immutable configuration: the {@link io.jclsync.config.Config} record and the rules-file parser.
 * May import {@code fs}, {@code filter} and {@code batch} (for {@link io.jclsync.batch.Delays}).
 */
package io.jclsync.config;
