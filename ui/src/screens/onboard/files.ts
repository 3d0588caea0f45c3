/** A chosen file's text (File.text where the webview has it, else FileReader). */
export function readText(file: File): Promise<string> {
  if (typeof file.text === "function") return file.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read`));
    reader.readAsText(file);
  });
}

/**
 * A file input reachable by WebDriver and tests, hidden from sight; a
 * button opens it (for makeStyles).
 */
export const hiddenFileInput = { position: "absolute", width: "1px", height: "1px", opacity: 0, overflow: "hidden" } as const;
