package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/frame"
)

// DecodeOutput is what `quarry decode -o json` writes.
type DecodeOutput struct {
	// Decoded is the input with each payload replaced by msticpy's
	// <decoded …>…</decoded> tag.
	Decoded string `json:"decoded"`
	// Items are the payloads, parents before children.
	Items []DecodeItem `json:"items"`
	// Stopped says which limit stopped the unpacking ("" when none did).
	Stopped string `json:"stopped,omitempty"`
}

// DecodeItem is one payload in DecodeOutput.
type DecodeItem struct {
	Reference string `json:"reference"`
	Depth     int    `json:"depth"`
	Encoding  string `json:"encoding"`
	FileName  string `json:"file_name"`
	FileType  string `json:"file_type"`
	Size      int    `json:"size"`
	MD5       string `json:"md5"`
	SHA1      string `json:"sha1"`
	SHA256    string `json:"sha256"`
	Decoded   string `json:"decoded"`
}

// maxDecodeInput is the most `quarry decode` reads: unpacking works on the whole
// text at once (a payload may span lines).
const maxDecodeInput = 256 << 20

func newDecodeCmd(app *App) *cobra.Command {
	var opts decode.Options
	cmd := &cobra.Command{
		Use:   "decode [FILE|-]",
		Short: "Unpack base64, hex, gzip/zip/tar/bz2 payloads in text, recursively",
		Long: `Find encoded payloads in a file or stdin ('-' or no argument) — base64 runs of
30 characters or more, hex strings — decode them, open archives and compressed
streams, and recurse into every result (msticpy's base64unpack).

-o text (the default) prints the input with each payload replaced by msticpy's
<decoded …>…</decoded> tag; -o json prints {decoded, items, stopped}; -o table
and -o csv list the items. Limits bound hostile input (decompression bombs,
deep nesting); when one is hit, what was decoded so far is printed and the
limit is named on stderr.`,
		Example: `  echo 'powershell -enc SQBFAFgA…' | quarry decode
  quarry decode payload.txt -o json | jq '.items[] | {reference, encoding, sha256}'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usage("%s takes one FILE or '-' (got %d arguments)", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "-"
			if len(args) == 1 {
				name = args[0]
			}
			var format frame.Format // "" is text
			if fl := cmd.Flag("output"); fl != nil && fl.Changed && app.output != "text" {
				f, err := app.format()
				if err != nil {
					return usage("output format %q: use text, json, table or csv", app.output)
				}
				format = f
			}
			r, closeIn, err := app.openInput(name)
			if err != nil {
				return err
			}
			defer closeIn()
			input, err := io.ReadAll(io.LimitReader(r, maxDecodeInput+1))
			if err != nil {
				return err
			}
			if len(input) > maxDecodeInput {
				return usage("%s is larger than %d MiB; decode works on the whole text at once (use 'quarry ioc --decode' for large files)", name, maxDecodeInput>>20)
			}
			return app.printDecode(cmd.Context(), input, opts, format)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.MaxDepth, "depth", 0, "how deep to recurse into decoded payloads (default 20)")
	f.Int64Var(&opts.MaxOutput, "max-output", 0, "most decoded bytes kept in all (default 64 MiB)")
	f.BoolVar(&opts.NoHex, "no-hex", false, "do not decode hex strings")
	return cmd
}

func (a *App) printDecode(ctx context.Context, input []byte, opts decode.Options, format frame.Format) error {
	res := decode.Unpack(ctx, input, opts)
	if res.Stopped == "cancelled" {
		return context.Canceled
	}
	if res.Stopped != "" {
		fmt.Fprintf(a.Env.Stderr, "quarry: partial result: stopped by the %s\n", res.Stopped)
	}
	switch format {
	case "":
		text := res.Decoded
		if a.Env.IsTerminal {
			text = frame.SafeText(text)
		}
		if _, err := io.WriteString(a.Env.Stdout, text); err != nil {
			return err
		}
		if len(text) > 0 && text[len(text)-1] != '\n' {
			io.WriteString(a.Env.Stdout, "\n")
		}
		if a.Env.IsTerminal {
			fmt.Fprintf(a.Env.Stderr, "quarry: %d payloads decoded\n", len(res.Items))
		}
		return nil
	case frame.JSON:
		out := DecodeOutput{Decoded: res.Decoded, Items: []DecodeItem{}, Stopped: res.Stopped}
		for _, it := range res.Items {
			out.Items = append(out.Items, DecodeItem{Reference: it.Reference, Depth: it.Depth, Encoding: it.Encoding,
				FileName: it.FileName, FileType: it.FileType, Size: it.Size, MD5: it.MD5, SHA1: it.SHA1, SHA256: it.SHA256, Decoded: it.Decoded})
		}
		return writeJSON(a, out)
	}
	b := frame.NewBuilder([]string{"reference", "depth", "encoding", "file_name", "file_type", "size", "md5", "sha1", "sha256", "decoded"},
		[]frame.Kind{frame.String, frame.Int, frame.String, frame.String, frame.String, frame.Int, frame.String, frame.String, frame.String, frame.String})
	for _, it := range res.Items {
		b.Append([]any{it.Reference, int64(it.Depth), it.Encoding, it.FileName, it.FileType, int64(it.Size), it.MD5, it.SHA1, it.SHA256, it.Decoded})
	}
	f, err := b.Frame(frame.Meta{})
	if err != nil {
		return err
	}
	return frame.Encode(a.Env.Stdout, f, format)
}
