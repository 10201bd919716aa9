import { test, expect } from './fixtures';
import { testIds } from '../src/components/testIds';

// Grafana runs with the repository's provisioning: the app's data source is provisioned read-only.
test('the configuration page shows the provisioned data source as read-only and tests it', async ({
  appConfigPage,
  page,
}) => {
  await expect(page.getByTestId(testIds.appConfig.readOnly)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.url)).toBeDisabled();
  await page.getByTestId(testIds.appConfig.test).click();
  await expect(page.getByTestId(testIds.appConfig.status)).toContainText('Connected');
});
