// placeholder, filled below
export async function runSubstitutionCli(_command: string, _args: string[]): Promise<number> {
  return 2;
}
