/** A small, strict command-line parser: `--name value`, `--name=value`, `--flag`; unknown options are errors. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string[]>;
}

/** Parse argv against the option names that take a value and those that are flags. */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (flags.includes(name)) {
      options.set(name, ['true']);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      options.set(name, [...(options.get(name) ?? []), value]);
    } else {
      throw new Error(`unknown option --${name} (see --help)`);
    }
  }
  return { positional, options };
}

/** The last value of an option, if given. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return v?.[v.length - 1];
}
