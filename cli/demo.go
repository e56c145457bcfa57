package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/providers/local"
	"github.com/quarry-sec/quarry/providers/local/demobuild"
)

func newDemoCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The embedded demo workspace: where it is, and how it is built",
	}
	path := &cobra.Command{
		Use:   "path",
		Short: "Write the embedded demo workspace out (once) and print its folder",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app.Env.Demo == nil {
				return usage("this build has no embedded demo")
			}
			dir, err := local.Materialize(app.Env.Demo, app.Env.CacheDir)
			if err != nil {
				return err
			}
			fmt.Fprintln(app.Env.Stdout, dir)
			return nil
		},
	}
	var sources, out string
	build := &cobra.Command{
		Use:   "build",
		Short: "Rebuild the demo tables from the source datasets (for developers)",
		Long: `Rebuild the demo workspace from the public datasets in testdata/demo/sources
(see testdata/demo/NOTICE.md): the normalisation is DuckDB SQL in
providers/local/demobuild/build.sql. Run from the repository root; the result is
embedded in the next build of the binary.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			man, err := demobuild.Build(cmd.Context(), sources, out)
			if err != nil {
				return err
			}
			var rows int64
			for _, t := range man.Tables {
				rows += t.Rows
			}
			fmt.Fprintf(app.Env.Stdout, "wrote %d tables, %d rows, %s to %s into %s\n", len(man.Tables), rows,
				man.Span.Start.Format("2006-01-02"), man.Span.End.Format("2006-01-02"), out)
			return nil
		},
	}
	build.Flags().StringVar(&sources, "sources", "testdata/demo/sources", "folder of source datasets")
	build.Flags().StringVar(&out, "out", "testdata/demo/workspace", "folder to write the workspace to")
	cmd.AddCommand(path, build)
	return cmd
}
