/** The baseline's activity: as little work as a step can do. */
export function createBareActivities() {
  return {
    async trivialStep(value: string, step: number): Promise<string> {
      return `${value}/${step}`;
    },
  };
}
