/**
 * Authenticated encryption of every JGroups frame ({@link io.jclsync.cluster.frame.FrameSeal}, right above the
 * transport), its keys and its replay windows. Imports the JDK and JGroups only.
 */
package io.jclsync.cluster.frame;
