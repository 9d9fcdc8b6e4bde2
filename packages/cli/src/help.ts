/**
 * The help texts: what each command does, its options and its exit codes.
 */

export const HELP_MAIN = `ioasim — a simulator of the Linux /dev/ioasid (iommufd) I/O page-fault path

Usage: ioasim <command> [options]

Commands:
  run <topology.yaml>        run a topology and report on every fault
  validate <topology.yaml>   check a topology file and list every error in it

Options:
  -h, --help                 show help (also: ioasim <command> --help)
  -v, --version              print the version

Exit codes: 0 success, 1 an invariant was violated, 2 bad input.
Topology format: TOPOLOGY.md. Examples: examples/.`;

export const HELP_RUN = `Usage: ioasim run <topology.yaml> [options]

Runs the topology on the embedded bus in virtual time: devices fault, the
IOMMU reports, the ioasid manager routes each fault group by (Stream ID,
PASID) to its space's handler, and the answers go back to the devices. The
same topology and seed always give the same report.

Options:
  --seed <n>        the random seed (default: the topology's seed, else 1)
  --json            print the report as JSON instead of the summary
  --report <file>   also write the JSON report to <file>
  --until <time>    stop at this simulated time, e.g. 5ms (work still in flight is reported stuck)
  -h, --help        show this help

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input.`;

export const HELP_VALIDATE = `Usage: ioasim validate <topology.yaml>

Checks a topology file against the format of TOPOLOGY.md and prints every
error at once, each with its file, line, column and path, what was found and
what was expected.

Exit codes: 0 valid, 2 invalid or unreadable.`;
