type ShutdownStep = () => void | Promise<void>;

/** Cleanup steps, run once, newest first: the server drains before the stores it uses close. */
export class ShutdownList {
  #steps: ShutdownStep[] = [];
  #running: Promise<void> | undefined;

  onShutdown(step: ShutdownStep): void {
    this.#steps.push(step);
  }

  run(logger: { error(object: object, message: string): void }): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step();
        } catch (error) {
          // One failing close must not keep the others (stores holding file locks) open.
          logger.error({ err: error }, 'shutdown step failed');
        }
      }
    })();
    return this.#running;
  }
}
