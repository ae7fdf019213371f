/** Reads an ECS field from a log line, whether written flat (`"error.type"`) or nested (`error: { type }`). */
export function field(line: Record<string, unknown>, path: string): unknown {
  if (path in line) return line[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    const v = line[head];
    if (typeof v === 'object' && v !== null) {
      const rest = field(v as Record<string, unknown>, parts.slice(i).join('.'));
      if (rest !== undefined) return rest;
    }
  }
  return undefined;
}

export function hasField(line: Record<string, unknown>, path: string): boolean {
  return field(line, path) !== undefined;
}
