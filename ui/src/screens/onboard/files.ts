import type { Problem } from "../../components/ErrorBar";

/** A chosen file's text (File.text where the webview has it, else FileReader). */
function readText(file: File): Promise<string> {
  if (typeof file.text === "function") return file.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read`));
    reader.readAsText(file);
  });
}

/** A chosen file's text, or the problem to show when it cannot be read. */
export async function readFile(file: File): Promise<{ text: string } | { problem: Problem }> {
  try {
    return { text: await readText(file) };
  } catch (e) {
    return { problem: { kind: "InvalidInput", code: "ReadFailed", message: `${file.name} could not be read: ${(e as Error).message}` } };
  }
}
