/**
 * Imports a pasted scheme module (ES module text, as the schemes README writes one) and returns
 * its exports; a module that does not load is reported with the browser's first line of error.
 */
export async function importSource(source: string): Promise<Record<string, unknown>> {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new Error(`userSource: the pasted module does not load: ${why}`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
