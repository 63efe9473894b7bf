package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newWhoamiCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the user your API key belongs to",
		Long:  "Show the user your API key belongs to, on the server: a quick check of --server and --api-key.",
		Example: `  OCTOPUS_URL=https://octopus.example.com OCTOPUS_API_KEY=API-... octoinvite whoami
  octoinvite whoami --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			me, err := c.Me(cmd.Context())
			if err != nil {
				return apiError(err)
			}
			return o.print(me.Username, func(w io.Writer) {
				fields(w,
					[2]string{"User", me.ID},
					[2]string{"Username", me.Username},
					[2]string{"Display name", me.DisplayName},
					[2]string{"Email", orNone(me.EmailAddress)},
					[2]string{"Server", c.BaseURL()},
				)
			})
		},
	}
	o.addFlags(cmd)
	return cmd
}
