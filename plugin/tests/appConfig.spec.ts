import { test, expect } from './fixtures';
import { testIds } from '../src/components/testIds';

test('the configuration page saves the server URL and tests it', async ({ appConfigPage, page }) => {
  await expect(page.getByTestId(testIds.appConfig.url)).toBeVisible();
  await page
    .getByTestId(testIds.appConfig.url)
    .fill(process.env.VOICE_AGENT_API_URL ?? 'http://host.docker.internal:5000');
  if (process.env.VOICE_AGENT_API_TOKEN) {
    await page.getByTestId(testIds.appConfig.token).fill(process.env.VOICE_AGENT_API_TOKEN);
  }
  await page.getByTestId(testIds.appConfig.submit).click();
  await expect(page.getByTestId(testIds.appConfig.status)).toContainText('Connected');
});
