/**
 * picocli commands only: parse and check options (shared ones as mixins), build a {@code Config}, hand over, print.
 * No sync or cluster logic ({@code members} runs {@code cluster.MembershipProbe}). May import {@code config},
 * {@code daemon}, {@code cluster}, and the parsers it checks options with in batch, filter, fs, sync, conflict, versions.
 */
package io.jclsync.cli;
