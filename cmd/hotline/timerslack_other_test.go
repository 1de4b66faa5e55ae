//go:build !linux

package main

// slackChildMain: the timer slack is Linux's alone; no child to run.
func slackChildMain() bool { return false }
