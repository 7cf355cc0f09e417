package main

import (
	"fmt"
	"os"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/runner/images"
)

func newImagesCmd(cfg *Config) *cobra.Command {
	cmd := &cobra.Command{Use: "images", Short: "Build the container images the grader needs"}
	var force bool
	var baseFrom, tools string
	build := &cobra.Command{
		Use:   "build [--force] [--base-from IMAGE]",
		Short: "Build every image locally and offline; quick when nothing changed",
		Long: `Build grader/base, grader/go, grader/redis, grader/postgres, grader/python,
grader/node and grader/tools locally.
The base is a Debian root filesystem made with debootstrap (needs root and
the debootstrap package) unless --base-from names an image to start from on
a machine that can pull one (e.g. debian:bookworm-slim). The postgres,
python and node images install Debian's packages on the base with apt-get, which needs
Debian's mirror (as debootstrap does), never a registry. The tools image
holds this very binary, so it must be statically linked (CGO_ENABLED=0).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			if tools == "" {
				if tools, err = os.Executable(); err != nil {
					return faultErr(fmt.Errorf("find this binary: %w", err))
				}
			}
			cli, err := client.New(client.FromEnv)
			if err != nil {
				return faultErr(fmt.Errorf("docker client: %w", err))
			}
			defer cli.Close()
			rep, err := images.Build(cmd.Context(), images.Options{
				Client: cli, Logger: log, Progress: cmd.ErrOrStderr(),
				BaseFrom: baseFrom, ToolsBinary: tools, Force: force,
			})
			if err != nil {
				return faultErr(err)
			}
			fmt.Fprint(cmd.OutOrStdout(), rep)
			start := time.Now()
			vol, err := images.EnsureGoToolchain(cmd.Context(), cli)
			if err != nil {
				return faultErr(fmt.Errorf("the Go toolchain volume: %w", err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%-20s %-10s %7.1fs\n", "volume "+vol[:min(len(vol), 28)], "ready", time.Since(start).Seconds())
			return nil
		},
	}
	build.Flags().BoolVar(&force, "force", false, "rebuild even when up to date")
	build.Flags().StringVar(&baseFrom, "base-from", "", "start the base image from this image instead of debootstrap (needs a registry)")
	build.Flags().StringVar(&tools, "tools-binary", "", "static grader binary for the tools image (default: this binary)")
	cmd.AddCommand(build)
	return cmd
}

func newCleanupCmd(cfg *Config) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "cleanup [--all]",
		Short: "Remove sandbox containers, volumes and networks left behind by crashed graders",
		Long: `Remove what grader processes that crashed left behind. By default only
sandboxes older than two hours (longer than any grading) are removed, so
gradings in progress are safe; --all removes every sandbox now.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			cli, err := client.New(client.FromEnv)
			if err != nil {
				return faultErr(fmt.Errorf("docker client: %w", err))
			}
			defer cli.Close()
			host, _ := os.Hostname()
			d, err := newDocker(cli, cfg, fmt.Sprintf("%s-%d", host, os.Getpid()), runner.PoolConfig{}, log)
			if err != nil {
				return faultErr(err)
			}
			defer d.Close()
			age := leftoverAge
			if all {
				age = -1
			}
			n, err := d.Reap(cmd.Context(), reapOptions(age))
			if err != nil {
				return faultErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %d leftover sandbox object(s)\n", n)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every sandbox, including ones in use")
	return cmd
}
