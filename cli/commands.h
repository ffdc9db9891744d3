/* SPDX-License-Identifier: GPL-2.0 */
/* commands.h - the vmsync command's subcommands (vmsync.c dispatches). */
#ifndef VMSYNC_CLI_COMMANDS_H
#define VMSYNC_CLI_COMMANDS_H

/* Each takes its own arguments (argv[0] the subcommand) and returns an exit status. */
int cmd_record(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif /* VMSYNC_CLI_COMMANDS_H */
